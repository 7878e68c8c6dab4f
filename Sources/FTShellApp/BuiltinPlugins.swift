import FTPluginKit
import LearnPlugin

/// The plugins compiled into ftsh, in the order `help` lists them.
enum BuiltinPlugins {
    static var all: [Plugin] {
        [
            LearnPlugin.plugin(),
        ]
    }
}

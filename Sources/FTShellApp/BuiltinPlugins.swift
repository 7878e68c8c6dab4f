import FTPluginKit
import LearnPlugin
import DataPlugin

/// The plugins compiled into ftsh, in the order `help` lists them.
enum BuiltinPlugins {
    static var all: [Plugin] {
        [
            DataPlugin.plugin(),
            LearnPlugin.plugin(),
        ]
    }
}

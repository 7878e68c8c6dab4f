import FTPluginKit
import LearnPlugin
import DataPlugin
import EvalPlugin

/// The plugins compiled into ftsh, in the order `help` lists them.
enum BuiltinPlugins {
    static var all: [Plugin] {
        [
            DataPlugin.plugin(),
            EvalPlugin.plugin(),
            LearnPlugin.plugin(),
        ]
    }
}

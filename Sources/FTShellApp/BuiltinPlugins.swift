import FTPluginKit
import LearnPlugin
import DataPlugin
import EvalPlugin
import ModelPlugin
import TrainPlugin

/// The plugins compiled into ftsh, in the order `help` lists them.
enum BuiltinPlugins {
    static var all: [Plugin] {
        [
            DataPlugin.plugin(),
            ModelPlugin.plugin(),
            TrainPlugin.plugin(),
            EvalPlugin.plugin(),
            LearnPlugin.plugin(),
        ]
    }
}

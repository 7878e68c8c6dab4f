import FTPluginKit
import LearnPlugin
import DataPlugin
import EvalPlugin
import ModelPlugin
import TrainPlugin
import OpenAIPlugin

/// The plugins compiled into ftsh, in the order `help` lists them.
enum BuiltinPlugins {
    static var all: [Plugin] {
        [
            DataPlugin.plugin(),
            ModelPlugin.plugin(),
            TrainPlugin.plugin(),
            OpenAIPlugin.plugin(),
            EvalPlugin.plugin(),
            LearnPlugin.plugin(),
        ]
    }
}

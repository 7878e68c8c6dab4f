import FTPluginKit
import LearnPlugin
import DataPlugin
import EvalPlugin
import ModelPlugin
import TrainPlugin
import OpenAIPlugin
import ServePlugin

/// The plugins compiled into ftsh, in the order `help` lists them.
enum BuiltinPlugins {
    static var all: [Plugin] {
        [
            DataPlugin.plugin(),
            ModelPlugin.plugin(),
            TrainPlugin.plugin(),
            OpenAIPlugin.plugin(),
            ServePlugin.plugin(),
            EvalPlugin.plugin(),
            LearnPlugin.plugin(),
        ]
    }
}

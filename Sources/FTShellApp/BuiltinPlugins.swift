import FTPluginKit

/// The plugins compiled into ftsh, in the order `help` lists them.
enum BuiltinPlugins {
    static var all: [Plugin] { [] }
}

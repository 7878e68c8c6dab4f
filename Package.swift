// swift-tools-version: 6.0
import PackageDescription

// ftsh: a thin executable over libraries that know nothing of the shell.
// Built-in plugins live in plugins/<name>/ and are compiled in, so ftsh is one offline binary.
// The engine's element-wise kernels use 8-wide vectors and fused multiply-add (AVX2/FMA, any
// x86-64 CPU since 2013); without it Swift targets SSE2 only.
#if arch(x86_64)
let engineVectorFlags = ["-target-cpu", "haswell"]
#else
let engineVectorFlags: [String] = []
#endif

let package = Package(
    name: "ftsh",
    products: [
        .executable(name: "ftsh", targets: ["ftsh"]),
    ],
    dependencies: [
        // The HTTP server under `ftsh serve` (SwiftNIO based).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.14.0"),
    ],
    targets: [
        // C libraries from Debian: libedit for the prompt, OpenBLAS for matrix products.
        .systemLibrary(name: "CLibEdit", path: "Sources/CLibEdit", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),

        // Core and shell.
        .target(name: "FTCore"),
        .target(name: "FTLineEditor", dependencies: ["CLibEdit", "FTCore"]),
        .target(name: "FTPluginKit", dependencies: ["FTCore"]),
        .target(name: "FTShell", dependencies: ["FTCore", "FTPluginKit"]),

        // Libraries with no shell knowledge.
        .target(name: "FTTokenizer", dependencies: ["FTCore"],
                swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        .target(name: "FTData", dependencies: ["FTCore", "FTTokenizer"]),
        .target(name: "FTEngine", dependencies: ["FTCore", "FTTokenizer", "CBLAS"],
                swiftSettings: [.unsafeFlags(["-Ounchecked"] + engineVectorFlags)]),
        .target(name: "FTEval", dependencies: ["FTCore"]),
        .target(name: "FTOpenAI", dependencies: ["FTCore"]),

        // Built-in plugins: thin adapters from commands to libraries.
        .target(name: "DataPlugin", dependencies: ["FTCore", "FTPluginKit", "FTData", "FTTokenizer"],
                path: "plugins/data"),
        .target(name: "LearnPlugin", dependencies: ["FTCore", "FTPluginKit", "FTShell"], path: "plugins/learn"),
        .target(name: "ModelPlugin", dependencies: ["FTCore", "FTPluginKit", "FTEngine", "FTData", "FTTokenizer", "EvalPlugin"],
                path: "plugins/model"),
        .target(name: "TrainPlugin", dependencies: ["FTCore", "FTPluginKit", "FTEngine", "FTData", "FTTokenizer", "FTEval", "ModelPlugin"],
                path: "plugins/train"),
        .target(name: "OpenAIPlugin", dependencies: ["FTCore", "FTPluginKit", "FTOpenAI", "FTData"], path: "plugins/openai"),
        .target(name: "EvalPlugin", dependencies: ["FTCore", "FTPluginKit", "FTEval", "FTData", "FTEngine", "FTTokenizer", "FTOpenAI",
                                                  "OpenAIPlugin"],
                path: "plugins/eval"),

        // `ftsh serve`: the OpenAI fine-tuning API on localhost, backed by the local engine.
        .target(name: "FTServe",
                dependencies: ["FTCore", "FTData", "FTEngine", "FTTokenizer", "ModelPlugin",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "HTTPTypes", package: "swift-http-types"),
                               .product(name: "Logging", package: "swift-log")]),
        .target(name: "ServePlugin", dependencies: ["FTCore", "FTPluginKit", "FTServe"], path: "plugins/serve"),

        // The command line: argv, REPL or script or --check, plugins wired in. A library so
        // tests can drive it in-process; the executable only calls it.
        .target(name: "FTShellApp",
                dependencies: ["FTCore", "FTShell", "FTLineEditor", "FTPluginKit", "LearnPlugin", "DataPlugin",
                               "EvalPlugin", "ModelPlugin", "TrainPlugin", "OpenAIPlugin", "FTServe", "ServePlugin"]),
        .executableTarget(name: "ftsh", dependencies: ["FTShellApp"]),

        // Benchmarks: programs that run the Python peer in the same run and print both figures.
        .executableTarget(name: "bench-tokenizer", dependencies: ["FTCore", "FTTokenizer"],
                          path: "Benchmarks/tokenizer"),
        .executableTarget(name: "bench-engine", dependencies: ["FTCore", "FTEngine"],
                          path: "Benchmarks/engine",
                          swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        .executableTarget(name: "bench-datacheck", dependencies: ["FTCore", "FTData", "FTTokenizer"],
                          path: "Benchmarks/datacheck"),
        .executableTarget(name: "bench-eval", dependencies: ["FTCore", "FTEval"], path: "Benchmarks/eval"),
        .executableTarget(name: "bench-methods", dependencies: ["FTCore", "FTEngine"], path: "Benchmarks/methods",
                          swiftSettings: [.unsafeFlags(["-Ounchecked"])]),

        // Pretrains the bundled base model share/models/tiny (see its README).
        .executableTarget(name: "pretrain-tiny", dependencies: ["FTCore", "FTEngine", "FTTokenizer"],
                          path: "tools/pretrain"),

        // Tests mirror modules.
        .testTarget(name: "FTCoreTests", dependencies: ["FTCore"]),
        .testTarget(name: "LearnPluginTests", dependencies: ["LearnPlugin", "FTCore", "FTPluginKit"]),
        .testTarget(name: "FTShellTests", dependencies: ["FTShell", "FTCore", "FTPluginKit"]),
        .testTarget(name: "FTShellAppTests", dependencies: ["FTShellApp", "FTShell", "FTCore"]),
        .testTarget(name: "FTLineEditorTests", dependencies: ["FTLineEditor"]),
        .testTarget(name: "FTTokenizerTests", dependencies: ["FTTokenizer", "FTCore"]),
        .testTarget(name: "FTDataTests", dependencies: ["FTData"]),
        .testTarget(name: "FTEngineTests", dependencies: ["FTTokenizer", "FTEngine"]),
        .testTarget(name: "FTEvalTests", dependencies: ["FTEval"]),
        .testTarget(name: "EvalPluginTests",
                    dependencies: ["EvalPlugin", "FTEval", "FTCore", "FTPluginKit", "FTData", "FTEngine", "FTTokenizer", "FTOpenAI"]),
        .testTarget(name: "FTOpenAITests", dependencies: ["FTOpenAI", "FTCore"]),
        .testTarget(name: "FTServeTests",
                    dependencies: ["FTServe", "FTCore", "FTEngine", "ModelPlugin"]),
        .testTarget(name: "TrainPluginTests",
                    dependencies: ["TrainPlugin", "ModelPlugin", "FTEngine", "FTCore", "FTPluginKit", "FTData", "FTTokenizer"]),
    ],
    swiftLanguageModes: [.v6]
)

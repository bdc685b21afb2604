// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "prefixpack",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PrefixBundle", targets: ["PrefixBundle"]),
        .library(name: "PrefixRuntime", targets: ["PrefixRuntime"]),
        .executable(name: "prefixpack", targets: ["PrefixPackCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The server only (PrefixServer): HTTP, logging, metrics, signals. PrefixRuntime never links them.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // HTTP status values only (OpenAIRequests' APIError); Hummingbird uses and re-exports the same module.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // System libraries (Debian: zlib1g-dev, libarchive-dev, libopenblas-dev, pkg-config).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CArchive", path: "Sources/CArchive"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas"),

        // One of each utility, package access: memory-mapped files, the atomic writer, file
        // digests, the seeded generator, the strict JSON parser and its typed reader.
        .target(name: "PrefixSupport", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),

        // The `.ptx` bundle format: no model code, no CLI code. Downstream apps link it.
        .target(
            name: "PrefixBundle",
            dependencies: [
                "PrefixSupport", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Checkpoint and array files: GGUF, safetensors, npy.
        .target(name: "TensorFiles", dependencies: ["PrefixSupport", "PrefixBundle"]),
        // BPE tokenizers (byte-level and SentencePiece-style) read from tokenizer.json or GGUF metadata.
        .target(name: "TextTokenizers", dependencies: ["PrefixSupport", "PrefixBundle"]),
        // Quantized mat-vec kernels (Q8_0/Q4_0/Q4_1; AVX2/FMA, arm64 NEON, portable C) chosen at
        // run time from the CPU, and the persistent worker pool that runs them.
        .target(name: "CQuantKernels"),
        // Models, kernels, KV cache, prefix attachment and generation.
        .target(
            name: "PrefixRuntime",
            dependencies: ["PrefixSupport", "PrefixBundle", "TensorFiles", "TextTokenizers", "COpenBLAS", "CQuantKernels"]
        ),
        // PEFT import/export, collapse, conversion and safe archive reading/writing (libarchive).
        .target(
            name: "PrefixInterop",
            dependencies: [
                "PrefixSupport", "PrefixBundle", "TensorFiles", "PrefixRuntime", "TextTokenizers", "CArchive",
            ]
        ),
        // Prefix training: hand-written backward through the frozen model, AdamW, schedules.
        .target(
            name: "PrefixTraining",
            dependencies: ["PrefixSupport", "PrefixRuntime", "PrefixBundle", "TensorFiles", "TextTokenizers", "COpenBLAS"]
        ),
        // Training runs: the whole build job (model, PrefixData examples and schedule, init), the step
        // loop with dev loss, early stopping, atomic checkpoints and exact resume, loss curves, provenance,
        // and the evaluation loop (what `prefixpack eval` runs; metrics from PrefixEval).
        .target(
            name: "PrefixTrainingRun",
            dependencies: [
                "PrefixSupport", "PrefixTraining", "PrefixRuntime", "PrefixBundle", "PrefixInterop", "PrefixData",
                "PrefixEval", "TextTokenizers",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Evaluation metrics (sacrebleu BLEU/chrF, rouge-score ROUGE-L); Foundation and the error protocol only.
        .target(name: "PrefixEval", dependencies: ["PrefixBundle"]),
        // Training/eval data: plain, .gz and archive-member sources; CSV/TSV/JSONL; tokenized examples and
        // the trainer's padded batches (PrefixTraining's TrainingBatch).
        .target(
            name: "PrefixData",
            dependencies: [
                "PrefixSupport", "PrefixBundle", "PrefixInterop", "PrefixTraining", "TextTokenizers", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The server's request decoding without HTTP: a body's bytes -> JSON object -> checked
        // CompletionParameters, or an APIError in OpenAI's shape. Pure, so the fuzzer links it
        // without NIO/Hummingbird (prefixpack-fuzz `request`); PrefixServer re-exports it.
        .target(
            name: "OpenAIRequests",
            dependencies: [
                "PrefixSupport", "PrefixBundle", "TextTokenizers",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // `prefixpack serve`: the OpenAI-compatible HTTP server (Hummingbird 2), the continuous-batching
        // scheduler over BatchDecoder, the prefix registry, Prometheus metrics, graceful shutdown.
        .target(
            name: "PrefixServer",
            dependencies: [
                "PrefixSupport", "PrefixBundle", "PrefixRuntime", "TextTokenizers", "OpenAIRequests",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The thin command-line front end.
        .executableTarget(
            name: "PrefixPackCLI",
            dependencies: [
                "PrefixSupport", "PrefixBundle", "PrefixRuntime", "TensorFiles", "TextTokenizers", "PrefixInterop",
                "PrefixTraining", "PrefixTrainingRun", "PrefixEval", "PrefixData", "PrefixServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The ten-line library example of docs/runtime-api.md.
        .executableTarget(name: "prefixpack-example", dependencies: ["PrefixRuntime"], path: "Sources/PrefixPackExample"),

        // Writes the conformance corpus Fixtures/bundles (valid and invalid bundles, expected.json).
        .executableTarget(name: "ptx-fixtures", dependencies: ["PrefixBundle", "PrefixSupport"], path: "Sources/PtxFixtures"),
        // libFuzzer target over the bundle reader and validator (docs/cli-format.md, "Fuzzing").
        // What the fuzz executables share: libFuzzer's driver entry and the standalone input walk.
        .target(name: "FuzzSupport"),
        .executableTarget(name: "ptx-fuzz", dependencies: ["PrefixBundle", "FuzzSupport"], path: "Sources/PtxFuzz"),
        // libFuzzer targets over every other parser of untrusted input, one selector per parser
        // (GGUF, safetensors, sharded index, tokenizer.json, config.json, data rows, archives,
        // the server's request bodies);
        // seeds in Fuzz/corpus, scripts/fuzz.sh runs them (docs/security.md, "Fuzzing").
        .executableTarget(
            name: "prefixpack-fuzz",
            dependencies: ["PrefixBundle", "TensorFiles", "TextTokenizers", "PrefixRuntime", "PrefixData", "PrefixInterop", "OpenAIRequests", "FuzzSupport"],
            path: "Sources/PrefixPackFuzz"
        ),

        .testTarget(name: "PrefixSupportTests", dependencies: ["PrefixSupport"]),
        .testTarget(name: "PrefixBundleTests", dependencies: ["PrefixBundle", "PrefixSupport"]),
        .testTarget(name: "TensorFilesTests", dependencies: ["TensorFiles", "PrefixSupport"]),
        .testTarget(name: "TextTokenizersTests", dependencies: ["TextTokenizers", "TensorFiles", "PrefixBundle"]),
        .testTarget(name: "PrefixRuntimeTests", dependencies: ["PrefixRuntime", "TensorFiles", "TextTokenizers", "PrefixBundle", "PrefixSupport"]),
        .testTarget(
            name: "PrefixInteropTests",
            dependencies: ["PrefixSupport", "PrefixInterop", "PrefixRuntime", "PrefixBundle", "TensorFiles", "TextTokenizers", "CArchive"]
        ),
        .testTarget(name: "PrefixDataTests", dependencies: ["PrefixData", "PrefixInterop", "PrefixEval", "PrefixTraining", "TextTokenizers"]),
        .testTarget(name: "CLITests", dependencies: ["PrefixBundle", "PrefixPackCLI", "prefixpack-fuzz"]),
        .testTarget(
            name: "PrefixTrainingRunTests",
            dependencies: ["PrefixTrainingRun", "PrefixTraining", "PrefixRuntime", "PrefixBundle", "PrefixData", "TextTokenizers", "TensorFiles"]
        ),
        .testTarget(name: "PrefixTrainingTests", dependencies: ["PrefixSupport", "PrefixTraining", "PrefixRuntime", "TensorFiles", "PrefixBundle"]),
        .testTarget(name: "PrefixEvalTests", dependencies: ["PrefixEval"]),
        .testTarget(name: "OpenAIRequestsTests", dependencies: ["OpenAIRequests", "PrefixSupport", "TextTokenizers"]),
        .testTarget(
            name: "PrefixServerTests",
            dependencies: [
                "PrefixServer", "PrefixRuntime", "PrefixBundle", "PrefixSupport", "TensorFiles",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.2
import PackageDescription

/// Strict Swift 6 everywhere; the upcoming features keep imports and existentials explicit.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "fichier",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fichier", targets: ["fichier"]),
        .library(name: "FichierAPI", targets: ["FichierAPI"]),
        .library(name: "FichierCrypto", targets: ["FichierCrypto"]),
        .library(name: "FichierRPC", targets: ["FichierRPC"]),
        .library(name: "FichierEmulator", targets: ["FichierEmulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // System libraries from Debian: module maps and tiny inline shims only.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CSodium", pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(
            name: "CRHash", pkgConfig: "librhash",
            providers: [.apt(["librhash-dev"])]),

        // The 1fichier REST client: transport, endpoint table, wire models, pacer, errors.
        .target(
            name: "FichierAPI",
            dependencies: [
                "CCurl", "CRHash",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // libsodium: secure memory, age v1, name cipher, vault.
        .target(
            name: "FichierCrypto",
            dependencies: ["CSodium"],
            swiftSettings: strict),
        // JSON-RPC 2.0 co-process: framing, dispatcher, handlers, jobs.
        .target(
            name: "FichierRPC",
            dependencies: [
                "FichierAPI", "FichierCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // A local 1fichier for tests, the sandbox and benchmarks.
        .target(
            name: "FichierEmulator",
            dependencies: [
                "FichierAPI", "CRHash",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"],
            swiftSettings: strict),
        .executableTarget(
            name: "fichier",
            dependencies: [
                "FichierAPI", "FichierCrypto", "FichierRPC", "FichierEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        .testTarget(
            name: "FichierAPITests",
            dependencies: ["FichierAPI", "FichierEmulator"],
            swiftSettings: strict),
        .testTarget(
            name: "FichierCryptoTests",
            dependencies: ["FichierCrypto"],
            exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "FichierRPCTests",
            dependencies: ["FichierRPC", "FichierAPI", "FichierEmulator", "FichierCrypto"],
            swiftSettings: strict),
        .testTarget(
            name: "FichierEmulatorTests",
            dependencies: ["FichierEmulator", "FichierAPI"],
            swiftSettings: strict),
        // Third-party 1fichier clients (rclone, pyOneFichierClient) against the emulator.
        .testTarget(
            name: "InteropTests",
            dependencies: ["FichierEmulator", "FichierAPI"],
            exclude: ["Support"],
            swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["FichierEmulator", "FichierAPI"],
            swiftSettings: strict),
    ]
)

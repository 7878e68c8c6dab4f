// FTCoreTests

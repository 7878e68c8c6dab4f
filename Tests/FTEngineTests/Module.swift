// FTEngineTests

// FTShellTests

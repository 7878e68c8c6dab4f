// FTTokenizerTests

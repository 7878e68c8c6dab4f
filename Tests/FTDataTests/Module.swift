// FTDataTests

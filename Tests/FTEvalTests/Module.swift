// FTEvalTests

// FTLineEditorTests

// FTLineEditor: sources arrive in this folder.

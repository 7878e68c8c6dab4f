// FTShell: sources arrive in this folder.

// FTEngine: sources arrive in this folder.

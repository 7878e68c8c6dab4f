// FTTokenizer: sources arrive in this folder.

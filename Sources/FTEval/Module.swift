// FTEval: sources arrive in this folder.

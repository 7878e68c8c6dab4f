// FTData: sources arrive in this folder.

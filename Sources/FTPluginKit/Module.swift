// FTPluginKit: sources arrive in this folder.

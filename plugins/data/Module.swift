// data plugin

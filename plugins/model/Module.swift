// model plugin

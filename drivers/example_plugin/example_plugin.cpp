// placeholder, replaced by the plugin example

"""The Barb Script function library; importing this package fills ``shared.script.registry.REGISTRY``."""

"""Expert pool screens: the pool list and the expert dialogs."""

"""The dataset every page follows: the choice, the Data menu, downloads."""

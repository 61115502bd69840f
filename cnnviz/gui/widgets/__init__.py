"""Reusable views: grid editor, step controls, paired spin boxes."""

"""The Qt layer of cnnviz: main window, lesson pages, widgets and workers."""

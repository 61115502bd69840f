"""The Qt-free core of cnnviz: arithmetic, models, data, training. Never imports Qt."""

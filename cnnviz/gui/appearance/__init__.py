"""How the window looks: themes, style sheets, zoom and presenter mode, painting once laid out."""

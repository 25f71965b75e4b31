"""The office's territory screens: figures, commission, taxe de séjour rates and declaration."""

"""The demo archive: a fictional mill town's photographs, drawn by the app itself with Pillow."""

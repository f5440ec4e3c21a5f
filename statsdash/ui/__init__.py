"""Streamlit building blocks shared by app.py and the pages: sidebar, loaders, charts, formats."""

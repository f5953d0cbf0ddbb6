"""Plotly figure builders: plain arrays in, go.Figure out (no training, no streamlit). Import the submodules."""

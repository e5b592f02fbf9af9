"""The framework-free analytical core: plain Python that never imports Django."""

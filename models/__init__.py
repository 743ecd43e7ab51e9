"""Encoders, classification heads, ONNX export and the model registry.

Importing this package never imports torch: inference (`models.predictor`) runs on ONNX Runtime or
scikit-learn alone, so the HTTP service can use it.
"""

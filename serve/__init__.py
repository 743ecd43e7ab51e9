"""The HTTP service. It runs on ONNX Runtime, tokenizers, numpy and scikit-learn only: importing anything here
never imports torch or transformers (a test holds this), so the service starts fast and stays small."""

"""The training engine: data adapters, pure compiled steps and the epoch loop."""

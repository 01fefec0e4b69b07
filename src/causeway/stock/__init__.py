"""Stock: the quantity each channel may sell, as one rule (sellable.py) and its inputs."""

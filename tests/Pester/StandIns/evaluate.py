"""Stand-in for the product evaluator the README's examples call: prints a JSON verdict for one SKU."""
import json
import sys

sku = sys.argv[1]
print(json.dumps({"sku": sku, "score": sum(map(ord, sku)) % 100}))

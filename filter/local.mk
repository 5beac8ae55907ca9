# Filter plugin: document formats Universal Print Anywhere delivers that CUPS
# cannot print yet (XPS/OXPS, PCLm), with their MIME type and conversion rules.

"""The corpus: cases by feature area of issue 18 (one module each)."""

from . import abstract, entities, enums, inaccessible, interface_object, override_provides, requires, roots, shareable

CASES = [case for module in (requires, interface_object, roots, abstract, override_provides, enums, shareable,
                             inaccessible, entities)
         for case in module.CASES]

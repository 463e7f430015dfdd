"""A model's own field by name, typed as the concrete field it is.

`Model._meta.get_field` is typed to return any field-like thing (a reverse relation, a generic foreign key);
the columns the dataset, forms and rules look up are always the model's own fields.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Field, Model


def concrete_field(model: type[Model] | Model, name: str) -> Field[Any, Any]:
    return cast("Field[Any, Any]", model._meta.get_field(name))

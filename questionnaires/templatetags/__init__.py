"""Template filters: the words of stored values, taken from the one place each is defined
(the models' TextChoices), so a template never spells a label out again.

Layer: reads models only (like a model method would); pages load them with `{% load labels %}`."""

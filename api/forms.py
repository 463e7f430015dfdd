from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name of the token", max_length=80,
        help_text="What will use it, so you can tell your tokens apart, e.g. 'Watford EPR nightly extract'",
        widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-30"}),
        error_messages={"required": "Enter a name for the token, e.g. what will use it"})

"""Forms of the catalog pages. Model forms run the model's own validation (patent numbers, IPC codes, price rules),
so each problem is shown beside its field; the views then call the services, whose errors land on the field
they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.catalog.io import FORMATS, LIST_SEPARATORS
from techtransfer.catalog.models import (
    Achievement,
    CooperationMode,
    Demand,
    DemandRefinement,
    IPItem,
    TransferMode,
)
from techtransfer.catalog.validators import ACHIEVEMENT_RULES, DEMAND_RULES, TRL_LEVELS
from techtransfer.core.errors import DomainError
from techtransfer.core.fields import TextField
from techtransfer.orgs.models import Organization
from techtransfer.taxonomy.models import TechField


class ListField(TextField):
    """A list typed as text, items separated by ; or ，/ ；."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "; ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        for sep in (*LIST_SEPARATORS[1:], ",", "，"):
            text = text.replace(sep, LIST_SEPARATORS[0])
        return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


def owner_choices(user):
    """Organizations the user may draft for: its own (member or admin); every organization for platform admins."""
    p = permissions.principal(user)
    if p.is_platform_admin:
        return Organization.objects.order_by("name")
    return Organization.objects.filter(pk__in=sorted(p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN))).order_by("name")


def preselect_single_owner(field) -> None:
    """Most users belong to one organization: choose it for them."""
    first_two = list(field.queryset[:2])
    if len(first_two) == 1:
        field.initial = first_two[0].pk


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service error beside the field it names (or above the form)."""
    name = (exc.field or "").removesuffix("_id")
    form.add_error(name if name in form.fields else None, exc.message)


def model_data(form: forms.ModelForm, names) -> dict:
    data = {}
    for name in names:
        if name not in form.cleaned_data:
            continue
        value = form.cleaned_data[name]
        if name == "tech_field":
            data["tech_field_id"] = value.pk if value else None
        else:
            data[name] = value
    return data


class OwnerMixin(forms.Form):
    owner = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Owner organization"))


def read_by_rules(form, rules: dict) -> None:
    """Read the form's fields by the rules the API and the importer use (``catalog.validators``), keeping the
    label, help text, widget and initial value the model gave them; the model's own checks still run after."""
    for name, rule in rules.items():
        old = form.fields.get(name)
        if old is None:
            continue
        form.fields[name] = rule.form_field(label=old.label, help_text=old.help_text, widget=old.widget,
                                            initial=old.initial)


def optional_marking(form) -> None:
    """The dual-use marking (军民两用) may be left out: it then stays as it is (public for a new record)."""
    field = form.fields["classification"]
    field.required = False
    field.help_text = _("Raise it at any time; lowering it is a declassification an approver decides.")

    def clean_classification():
        return form.cleaned_data.get("classification") or getattr(form.instance, "classification", "") or "public"

    form.clean_classification = clean_classification


class AchievementForm(forms.ModelForm):
    keywords = ListField(label=_("Keywords"), required=False, help_text=_("Separate with ;"))
    industry_codes = ListField(label=_("Industry codes"), required=False, help_text=_("GB/T 4754, e.g. C3841"))
    ipc_codes = ListField(label=_("IPC codes"), required=False, help_text=_("e.g. H01M 10/0525; separate with ;"))
    transfer_modes = forms.MultipleChoiceField(
        label=_("Transfer modes"), choices=TransferMode.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        read_by_rules(self, ACHIEVEMENT_RULES)
        optional_marking(self)

    class Meta:
        model = Achievement
        fields = [
            "title", "title_en", "abstract", "abstract_en", "keywords", "tech_field", "industry_codes", "ipc_codes",
            "trl", "transfer_modes", "asking_price", "price_negotiable", "public_funding", "dual_use",
            "protected_details",
            "classification",
        ]
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 5}),
            "abstract_en": forms.Textarea(attrs={"rows": 3}),
            "protected_details": forms.Textarea(attrs={"rows": 4}),
        }


class NewAchievementForm(OwnerMixin, AchievementForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user)
        preselect_single_owner(self.fields["owner"])

    class Meta(AchievementForm.Meta):
        fields = ["owner", *AchievementForm.Meta.fields]


class DemandForm(forms.ModelForm):
    keywords = ListField(label=_("Keywords"), required=False, help_text=_("Separate with ;"))
    cooperation_modes = forms.MultipleChoiceField(
        label=_("Cooperation modes"), choices=CooperationMode.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        read_by_rules(self, DEMAND_RULES)
        optional_marking(self)

    class Meta:
        model = Demand
        fields = [
            "title", "title_en", "problem", "problem_en", "target_indicators", "keywords", "tech_field",
            "budget_min", "budget_max",
            "deadline", "cooperation_modes", "contact_name", "contact_phone", "contact_email",
            "classification",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5}),
            "problem_en": forms.Textarea(attrs={"rows": 3}),
            "target_indicators": forms.Textarea(attrs={"rows": 3}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }


class NewDemandForm(OwnerMixin, DemandForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user)
        preselect_single_owner(self.fields["owner"])

    class Meta(DemandForm.Meta):
        fields = ["owner", *DemandForm.Meta.fields]


class IPItemForm(forms.ModelForm):
    class Meta:
        model = IPItem
        fields = ["kind", "title", "number", "granted", "holder"]


class TrlForm(forms.Form):
    """One evidence box per GB/T 22900 criterion, level by level."""

    def __init__(self, *args, initial_answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_answers = initial_answers or {}
        self.levels = []
        for level, (title, criteria) in TRL_LEVELS.items():
            names = []
            for c in criteria:
                name = f"c_{c.key}"
                self.fields[name] = TextField(
                    label=c.text, required=False, max_length=2000, initial=initial_answers.get(c.key, ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                names.append(name)
            self.levels.append((level, title, names))

    def answers(self) -> dict[str, str]:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("c_")}

    def level_fields(self):
        return [(level, title, [self[name] for name in names]) for level, title, names in self.levels]


class ReasonForm(forms.Form):
    reason = TextField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NdaRequestForm(forms.Form):
    purpose = TextField(
        label=_("Purpose of the request"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RefinementForm(forms.ModelForm):
    ipc_codes = ListField(label=_("IPC codes"), required=False)

    class Meta:
        model = DemandRefinement
        fields = ["title", "description", "key_indicators", "tech_field", "ipc_codes"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "key_indicators": forms.Textarea(attrs={"rows": 3}),
        }


class PackageForm(forms.Form):
    name = TextField(label=_("Name"), max_length=200)
    description = TextField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    region = TextField(label=_("Region code"), min_length=6, max_length=6, help_text=_("e.g. 530100"))
    tech_field = forms.ModelChoiceField(label=_("Technical field"), queryset=TechField.objects.all())


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("From the file name"))] + [(f, f.upper()) for f in FORMATS]
    )
    owner = forms.ModelChoiceField(
        label=_("Default owner organization"), queryset=Organization.objects.none(), required=False,
        help_text=_("Used for rows without an owner column."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user)
        preselect_single_owner(self.fields["owner"])

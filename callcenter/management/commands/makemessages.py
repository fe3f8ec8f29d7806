"""makemessages that also finds `t("...")` in our JavaScript.

The pages' scripts translate through `window.Dasan.t`, a thin alias of the
/jsi18n/ catalog's gettext(); xgettext must know that keyword.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    def handle(self, *args, **options):
        if options.get("domain") == "djangojs":
            self.xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=t"]
        return super().handle(*args, **options)

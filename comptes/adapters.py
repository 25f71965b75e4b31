from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are opened by the tourism office or the command line: no public sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

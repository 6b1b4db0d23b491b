"""Who may open the compliance pages: business readers read (in their scope), the bureau admin configures.
The roles behind each permission are in accounts.policy.TABLE."""

from __future__ import annotations

from dangjian.accounts.policy import Perm, requires

# Signed in with a role that sees party business data; the three administrators get 403.
business_reader = requires(Perm.VIEW_BUSINESS, "您的角色无权查看党建业务数据")
# Requirements and exemptions are the bureau's to set (design §4.1).
bureau_admin = requires(Perm.MANAGE_BUREAU, "只有局党建管理员可以设置制度要求和豁免")

select "t0"."user_id" from "shop"."users" as "t0" where coalesce(((select split_part(email, '@', 2) from (select "t0".*) cs_row) = ?), false)

select "t0"."user_id" from "shop"."users" "t0" where ("t0"."country" = cast(? as varchar) and "t0"."country" is not null)

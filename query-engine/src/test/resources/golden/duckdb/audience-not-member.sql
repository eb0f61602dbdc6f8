select "t0"."user_id" from "shop"."users" "t0" where not ("t0"."country" in (cast(? as varchar), cast(? as varchar)) and "t0"."country" is not null)
